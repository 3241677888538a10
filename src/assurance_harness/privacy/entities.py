"""The personal-data entity types the detector (``pii``) reports, with their plain-language titles:
apart, so that the privacy policy can check its entity names without loading the detector."""

from __future__ import annotations

ENTITY_TITLES: dict[str, str] = {
    "PERSON": "person's name",
    "ADDRESS": "street address",
    "LOCATION": "home town or area",
    "SCHOOL": "school name",
    "AGE": "age",
    "DATE_OF_BIRTH": "date of birth",
    "EMAIL_ADDRESS": "e-mail address",
    "PHONE_NUMBER": "phone number",
    "SOCIAL_HANDLE": "social media handle",
    "UK_POSTCODE": "postcode",
    "US_ZIP": "ZIP code",
    "CREDIT_CARD": "payment card number",
    "IBAN_CODE": "bank account (IBAN)",
    "IP_ADDRESS": "IP address",
    "URL": "web address",
    "US_SSN": "US social security number",
    "UK_NINO": "National Insurance number",
    "UK_NHS": "NHS number",
    "CRYPTO": "crypto wallet",
}
"""Every entity type this detector reports -> a plain-language title."""
