"""The standard (non-custom) attributes every workspace starts with.

Each row: (name, full_name, label, description, data_type, api_writable). Names are unique per
model, so the nested plan attributes are stored under their full name and shown by their last part.
"""

from __future__ import annotations

CONTACT = (
    ("id", "id", "ID", "The Intercom defined id representing the contact", "string", False),
    ("role", "role", "Role", "The role of the contact: user or lead", "string", True),
    ("external_id", "external_id", "User ID", "A unique identifier for the contact which is given to Intercom", "string", True),
    ("email", "email", "Email", "The contact's email address", "string", True),
    ("email_domain", "email_domain", "Email domain", "The domain of the contact's email address", "string", False),
    ("phone", "phone", "Phone", "The contact's phone number", "string", True),
    ("name", "name", "Name", "The contact's name", "string", True),
    ("avatar", "avatar", "Avatar", "An image URL containing the avatar of the contact", "string", True),
    ("owner_id", "owner_id", "Owner", "The id of the admin that owns the contact", "integer", True),
    ("unsubscribed_from_emails", "unsubscribed_from_emails", "Unsubscribed from emails", "Whether the contact is unsubscribed from emails", "boolean", True),
    ("marked_email_as_spam", "marked_email_as_spam", "Marked email as spam", "Whether the contact has marked an email as spam", "boolean", False),
    ("has_hard_bounced", "has_hard_bounced", "Has hard bounced", "Whether an email to the contact has hard bounced", "boolean", False),
    ("created_at", "created_at", "First seen", "The time the contact was added to Intercom", "date", False),
    ("updated_at", "updated_at", "Updated at", "The last time the contact was updated", "date", False),
    ("signed_up_at", "signed_up_at", "Signed up", "The time the contact signed up", "date", True),
    ("last_seen_at", "last_seen_at", "Last seen", "The last time the contact was seen", "date", True),
    ("last_replied_at", "last_replied_at", "Last replied", "The last time the contact replied", "date", False),
    ("last_contacted_at", "last_contacted_at", "Last contacted", "The last time the contact was contacted", "date", False),
    ("last_email_opened_at", "last_email_opened_at", "Last opened email", "The last time the contact opened an email", "date", False),
    ("last_email_clicked_at", "last_email_clicked_at", "Last clicked on link in email", "The last time the contact clicked a link in an email", "date", False),
    ("language_override", "language_override", "Language override", "A preferred language setting for the contact", "string", True),
    ("browser", "browser", "Browser", "The browser the contact last used", "string", False),
    ("browser_language", "browser_language", "Browser language", "The language of the contact's browser", "string", False),
    ("os", "os", "OS", "The operating system the contact last used", "string", False),
    ("location.country", "location.country", "Country", "The country the contact is in", "string", False),
    ("location.region", "location.region", "Region", "The region the contact is in", "string", False),
    ("location.city", "location.city", "City", "The city the contact is in", "string", False),
)

COMPANY = (
    ("id", "id", "ID", "The Intercom defined id representing the company", "string", False),
    ("company_id", "company_id", "Company ID", "A number identifying a company", "string", False),
    ("name", "name", "Company name", "The name of a company", "string", True),
    ("created_at", "created_at", "Created at", "The time the company was added to Intercom", "date", False),
    ("updated_at", "updated_at", "Updated at", "The last time the company was updated", "date", False),
    ("remote_created_at", "remote_created_at", "Company created at", "The day a company was added to Intercom", "date", True),
    ("last_request_at", "last_request_at", "Company last seen", "The last day anyone from a company visited your site or app", "date", False),
    ("user_count", "user_count", "People", "The number of people in a company", "integer", False),
    ("session_count", "session_count", "Company web sessions", "All visits from anyone in a company to your product's site or app", "integer", False),
    ("plan.id", "plan.id", "Plan ID", "The Intercom defined id representing the plan", "string", False),
    ("plan.name", "plan.name", "Plan", "A specific plan or level within your product that companies have signed up to", "string", False),
    ("monthly_spend", "monthly_spend", "Monthly Spend", "The monthly revenue you receive from a company", "float", True),
    ("size", "size", "Company size", "The number of people employed in this company, expressed as a single number", "integer", True),
    ("industry", "industry", "Company industry", "The category or domain this company belongs to e.g. 'ecommerce' or 'SaaS'", "string", True),
    ("website", "website", "Company website", "The web address for the company's primary marketing site", "string", True),
    ("app_id", "app_id", "App ID", "The Intercom defined id representing the app", "string", False),
)

BUILTINS = {"contact": CONTACT, "company": COMPANY}
