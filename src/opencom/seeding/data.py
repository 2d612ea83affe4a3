"""Word lists the generators draw from. ASCII only, so generated emails are already in the form
email-validator normalises them to (what contacts.service stores)."""

FIRST_NAMES = (
    "Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "John", "Radia", "Tim",
    "Katherine", "Donald", "Edsger", "Hedy", "Sophie", "Niklaus", "Karen", "Guido", "Anita", "Bjarne", "Jean",
    "Leslie", "Shafi", "Yukihiro", "Carol", "Brian", "Lin", "Mary", "Rob", "Evelyn", "James", "Olivia", "Liam",
    "Emma", "Noah", "Ava", "Lucas", "Mia", "Mateo", "Chloe", "Amir", "Priya", "Kenji", "Aiko", "Diego", "Ines",
    "Tomas", "Nora", "Felix", "Zara", "Omar", "Leila", "Hugo", "Elena", "Ravi", "Sara", "Jonas", "Freya",
)
LAST_NAMES = (
    "Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Allen", "McCarthy",
    "Perlman", "Berners-Lee", "Johnson", "Knuth", "Dijkstra", "Lamarr", "Wilson", "Wirth", "Jones", "Rossum",
    "Borg", "Stroustrup", "Sammet", "Lamport", "Goldwasser", "Matsumoto", "Shaw", "Kernighan", "Chen", "Keller",
    "Pike", "Boyd", "Gosling", "Garcia", "Muller", "Rossi", "Silva", "Novak", "Tanaka", "Kim", "Singh", "Patel",
    "Haddad", "Nguyen", "Okafor", "Larsen", "Moreau", "Schmidt", "Kowalski", "Ivanova", "Cohen", "Dubois",
)
FREEMAIL = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me", "fastmail.com")
COMPANY_WORDS = (
    "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne", "Cyberdyne", "Soylent",
    "Tyrell", "Wonka", "Pied Piper", "Aperture", "Massive", "Dunder", "Oscorp", "Gringotts", "Monarch", "Sirius",
    "Northwind", "Contoso", "Fabrikam", "Litware", "Tailspin", "Blue Yonder", "Nimbus", "Quantum", "Vertex", "Zephyr",
)
COMPANY_KINDS = (
    "Labs", "Systems", "Analytics", "Cloud", "Logistics", "Health", "Foods", "Media", "Robotics", "Finance",
    "Studio", "Works", "Energy", "Games", "Security", "Retail", "Travel", "Software", "Networks", "Bio",
)
INDUSTRIES = (
    "Software", "Financial Services", "Healthcare", "Retail", "Education", "Manufacturing", "Media",
    "Logistics", "Travel", "Real Estate", "Non-profit", "Energy",
)
PLANS = ("Starter", "Pro", "Business", "Enterprise")
# city, region, country, country code, continent code
LOCATIONS = (
    ("San Francisco", "California", "United States", "USA", "NA"),
    ("New York", "New York", "United States", "USA", "NA"),
    ("Austin", "Texas", "United States", "USA", "NA"),
    ("Toronto", "Ontario", "Canada", "CAN", "NA"),
    ("Mexico City", "Mexico City", "Mexico", "MEX", "NA"),
    ("Sao Paulo", "Sao Paulo", "Brazil", "BRA", "SA"),
    ("Buenos Aires", "Buenos Aires", "Argentina", "ARG", "SA"),
    ("Dublin", "Leinster", "Ireland", "IRL", "EU"),
    ("London", "England", "United Kingdom", "GBR", "EU"),
    ("Paris", "Ile-de-France", "France", "FRA", "EU"),
    ("Berlin", "Berlin", "Germany", "DEU", "EU"),
    ("Madrid", "Madrid", "Spain", "ESP", "EU"),
    ("Stockholm", "Stockholm", "Sweden", "SWE", "EU"),
    ("Warsaw", "Mazovia", "Poland", "POL", "EU"),
    ("Lagos", "Lagos", "Nigeria", "NGA", "AF"),
    ("Nairobi", "Nairobi", "Kenya", "KEN", "AF"),
    ("Bangalore", "Karnataka", "India", "IND", "AS"),
    ("Singapore", "Singapore", "Singapore", "SGP", "AS"),
    ("Tokyo", "Tokyo", "Japan", "JPN", "AS"),
    ("Seoul", "Seoul", "South Korea", "KOR", "AS"),
    ("Sydney", "New South Wales", "Australia", "AUS", "OC"),
    ("Auckland", "Auckland", "New Zealand", "NZL", "OC"),
)
BROWSERS = (("chrome", ("120.0", "121.0", "122.0")), ("firefox", ("121.0", "122.0")),
            ("safari", ("17.1", "17.2")), ("edge", ("120.0", "121.0")))
LANGUAGES = ("en", "en", "en", "fr", "de", "es", "pt", "ja", "nl", "sv")
OPERATING_SYSTEMS = ("Windows 11", "Windows 10", "OS X 14.2", "OS X 13.6", "Linux", "iOS 17.2", "Android 14")
IOS_DEVICES = ("iPhone15,2", "iPhone14,5", "iPad13,1")
ANDROID_DEVICES = ("Pixel 8", "SM-S911B", "OnePlus 11")
UTM_SOURCES = ("google", "newsletter", "twitter", "linkedin", "partner")
UTM_MEDIUMS = ("cpc", "email", "social", "referral")
UTM_CAMPAIGNS = ("spring_launch", "black_friday", "webinar_q3", "onboarding")
REFERRERS = ("https://www.google.com/", "https://news.ycombinator.com/", "https://www.linkedin.com/", "https://example.org/blog")

TAGS = ("VIP", "Churn risk", "Beta", "Newsletter", "Enterprise lead", "Onboarding", "Feedback", "Partner",
        "Trial", "Power user")
EVENTS = ("signed-in", "viewed-pricing", "invited-teammate", "created-project", "exported-report",
          "upgraded-plan", "opened-ticket", "completed-onboarding")
EVENT_SOURCES = ("web", "ios", "android", "api")

# The seeded custom attributes: (name, model, data_type, description). Names are unique across
# both models, as data_attributes.service requires.
CONTACT_ATTRIBUTES = (
    ("plan_tier", "contact", "string", "The customer's plan tier"),
    ("seats", "contact", "integer", "Seats in use"),
    ("lifetime_value", "contact", "float", "Lifetime value in USD"),
    ("beta_tester", "contact", "boolean", "Joined the beta programme"),
    ("trial_ends_at", "contact", "date", "When the trial ends"),
)
COMPANY_ATTRIBUTES = (
    ("account_manager", "company", "string", "Who looks after the account"),
    ("seats_purchased", "company", "integer", "Seats on the contract"),
    ("health_score", "company", "float", "Account health, 0 to 100"),
    ("is_strategic", "company", "boolean", "A strategic account"),
    ("renewal_date", "company", "date", "When the contract renews"),
)
PLAN_TIERS = ("free", "starter", "growth", "scale", "enterprise")
ACCOUNT_MANAGERS = ("Sam Rivera", "Alex Kim", "Jordan Lee", "Taylor Brooks", "Morgan Diaz")

ADMINS = (("Riley Support", "Support engineer"), ("Casey Success", "Customer success"),
          ("Jamie Billing", "Billing specialist"), ("Drew Product", "Product specialist"))

OPENERS = (
    "Hi, I can't log in to my account since this morning.",
    "My invoice for last month looks wrong, can you check it?",
    "How do I invite a teammate to my workspace?",
    "The export to CSV keeps failing with an error.",
    "Is there a way to change the billing email?",
    "We would like to upgrade to the annual plan.",
    "The mobile app crashes when I open settings.",
    "Can you help me set up single sign-on?",
    "I was charged twice for my subscription.",
    "Where can I find the API documentation?",
)
ADMIN_REPLIES = (
    "Thanks for reaching out! Let me look into that for you.",
    "I have fixed this on our side, could you try again?",
    "Here is a link to the guide that walks through it.",
    "I have passed this to our engineers and will update you soon.",
    "Good news: the refund is on its way.",
)
CONTACT_REPLIES = ("Thanks, that worked!", "Still not working, sorry.", "Great, thank you so much.",
                   "Could you explain a bit more?", "Any update on this?")
NOTES = ("Customer is on the legacy plan.", "Escalated to tier 2.", "Possible duplicate of an earlier report.",
         "Follow up next week.")
CLOSING = ("Closing this for now, write back any time!", "Glad we could help.")
