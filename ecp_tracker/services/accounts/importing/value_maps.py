"""CRM picklist values and the names they import as: HubSpot's industry enum and original source types,
Salesforce's account/lead source and industry picklists (data only; `values.ValueReader` applies them).

Each table pairs a CRM value (an internal name or the label a CRM export writes) with the one name ECP
Tracker keeps, so `Referrals` and `REFERRALS` become `Referral`, and `COMPUTER_SOFTWARE` becomes
`Computer Software`. Values are compared case- and whitespace-insensitively. A value not listed is kept as
written (or as an existing account already spells it); a workspace's own map (the import page) comes first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# Acquisition channels as ECP Tracker names them (the demo and the account form use the same words).
REFERRAL = "Referral"
PARTNER = "Partner"
ORGANIC_SEARCH = "Organic search"
PAID_SEARCH = "Paid search"
PAID_SOCIAL = "Paid social"
ORGANIC_SOCIAL = "Organic social"
EMAIL = "Email"
DIRECT = "Direct"
OFFLINE = "Offline"
EVENTS = "Events"
WEBSITE = "Website"
OTHER = "Other"

# HubSpot "Original Source Type" (hs_analytics_source): internal value, label in exports, our channel.
HUBSPOT_SOURCES: tuple[tuple[str, str, str], ...] = (
    ("ORGANIC_SEARCH", "Organic Search", ORGANIC_SEARCH),
    ("PAID_SEARCH", "Paid Search", PAID_SEARCH),
    ("EMAIL_MARKETING", "Email Marketing", EMAIL),
    ("SOCIAL_MEDIA", "Organic Social", ORGANIC_SOCIAL),
    ("SOCIAL_MEDIA", "Social Media", ORGANIC_SOCIAL),  # the label before HubSpot renamed it
    ("REFERRALS", "Referrals", REFERRAL),
    ("OTHER_CAMPAIGNS", "Other Campaigns", "Other campaigns"),
    ("DIRECT_TRAFFIC", "Direct Traffic", DIRECT),
    ("OFFLINE", "Offline Sources", OFFLINE),
    ("PAID_SOCIAL", "Paid Social", PAID_SOCIAL),
    ("AI_REFERRALS", "AI Referrals", "AI referral"),
)

# HubSpot "Industry" (the company property's enumeration): internal value, label. Both import as the label.
HUBSPOT_INDUSTRIES: tuple[tuple[str, str], ...] = (
    ("ACCOUNTING", "Accounting"),
    ("AIRLINES_AVIATION", "Airlines/Aviation"),
    ("ALTERNATIVE_DISPUTE_RESOLUTION", "Alternative Dispute Resolution"),
    ("ALTERNATIVE_MEDICINE", "Alternative Medicine"),
    ("ANIMATION", "Animation"),
    ("APPAREL_FASHION", "Apparel & Fashion"),
    ("ARCHITECTURE_PLANNING", "Architecture & Planning"),
    ("ARTS_AND_CRAFTS", "Arts and Crafts"),
    ("AUTOMOTIVE", "Automotive"),
    ("AVIATION_AEROSPACE", "Aviation & Aerospace"),
    ("BANKING", "Banking"),
    ("BIOTECHNOLOGY", "Biotechnology"),
    ("BROADCAST_MEDIA", "Broadcast Media"),
    ("BUILDING_MATERIALS", "Building Materials"),
    ("BUSINESS_SUPPLIES_AND_EQUIPMENT", "Business Supplies and Equipment"),
    ("CAPITAL_MARKETS", "Capital Markets"),
    ("CHEMICALS", "Chemicals"),
    ("CIVIC_SOCIAL_ORGANIZATION", "Civic & Social Organization"),
    ("CIVIL_ENGINEERING", "Civil Engineering"),
    ("COMMERCIAL_REAL_ESTATE", "Commercial Real Estate"),
    ("COMPUTER_NETWORK_SECURITY", "Computer & Network Security"),
    ("COMPUTER_GAMES", "Computer Games"),
    ("COMPUTER_HARDWARE", "Computer Hardware"),
    ("COMPUTER_NETWORKING", "Computer Networking"),
    ("COMPUTER_SOFTWARE", "Computer Software"),
    ("CONSTRUCTION", "Construction"),
    ("CONSUMER_ELECTRONICS", "Consumer Electronics"),
    ("CONSUMER_GOODS", "Consumer Goods"),
    ("CONSUMER_SERVICES", "Consumer Services"),
    ("COSMETICS", "Cosmetics"),
    ("DAIRY", "Dairy"),
    ("DEFENSE_SPACE", "Defense & Space"),
    ("DESIGN", "Design"),
    ("EDUCATION_MANAGEMENT", "Education Management"),
    ("E_LEARNING", "E-Learning"),
    ("ELECTRICAL_ELECTRONIC_MANUFACTURING", "Electrical/Electronic Manufacturing"),
    ("ENTERTAINMENT", "Entertainment"),
    ("ENVIRONMENTAL_SERVICES", "Environmental Services"),
    ("EVENTS_SERVICES", "Events Services"),
    ("EXECUTIVE_OFFICE", "Executive Office"),
    ("FACILITIES_SERVICES", "Facilities Services"),
    ("FARMING", "Farming"),
    ("FINANCIAL_SERVICES", "Financial Services"),
    ("FINE_ART", "Fine Art"),
    ("FISHERY", "Fishery"),
    ("FOOD_BEVERAGES", "Food & Beverages"),
    ("FOOD_PRODUCTION", "Food Production"),
    ("FUND_RAISING", "Fund-Raising"),
    ("FURNITURE", "Furniture"),
    ("GAMBLING_CASINOS", "Gambling & Casinos"),
    ("GLASS_CERAMICS_CONCRETE", "Glass, Ceramics & Concrete"),
    ("GOVERNMENT_ADMINISTRATION", "Government Administration"),
    ("GOVERNMENT_RELATIONS", "Government Relations"),
    ("GRAPHIC_DESIGN", "Graphic Design"),
    ("HEALTH_WELLNESS_AND_FITNESS", "Health, Wellness and Fitness"),
    ("HIGHER_EDUCATION", "Higher Education"),
    ("HOSPITAL_HEALTH_CARE", "Hospital & Health Care"),
    ("HOSPITALITY", "Hospitality"),
    ("HUMAN_RESOURCES", "Human Resources"),
    ("IMPORT_AND_EXPORT", "Import and Export"),
    ("INDIVIDUAL_FAMILY_SERVICES", "Individual & Family Services"),
    ("INDUSTRIAL_AUTOMATION", "Industrial Automation"),
    ("INFORMATION_SERVICES", "Information Services"),
    ("INFORMATION_TECHNOLOGY_AND_SERVICES", "Information Technology and Services"),
    ("INSURANCE", "Insurance"),
    ("INTERNATIONAL_AFFAIRS", "International Affairs"),
    ("INTERNATIONAL_TRADE_AND_DEVELOPMENT", "International Trade and Development"),
    ("INTERNET", "Internet"),
    ("INVESTMENT_BANKING", "Investment Banking"),
    ("INVESTMENT_MANAGEMENT", "Investment Management"),
    ("JUDICIARY", "Judiciary"),
    ("LAW_ENFORCEMENT", "Law Enforcement"),
    ("LAW_PRACTICE", "Law Practice"),
    ("LEGAL_SERVICES", "Legal Services"),
    ("LEGISLATIVE_OFFICE", "Legislative Office"),
    ("LEISURE_TRAVEL_TOURISM", "Leisure, Travel & Tourism"),
    ("LIBRARIES", "Libraries"),
    ("LOGISTICS_AND_SUPPLY_CHAIN", "Logistics and Supply Chain"),
    ("LUXURY_GOODS_JEWELRY", "Luxury Goods & Jewelry"),
    ("MACHINERY", "Machinery"),
    ("MANAGEMENT_CONSULTING", "Management Consulting"),
    ("MARITIME", "Maritime"),
    ("MARKET_RESEARCH", "Market Research"),
    ("MARKETING_AND_ADVERTISING", "Marketing and Advertising"),
    ("MECHANICAL_OR_INDUSTRIAL_ENGINEERING", "Mechanical or Industrial Engineering"),
    ("MEDIA_PRODUCTION", "Media Production"),
    ("MEDICAL_DEVICES", "Medical Devices"),
    ("MEDICAL_PRACTICE", "Medical Practice"),
    ("MENTAL_HEALTH_CARE", "Mental Health Care"),
    ("MILITARY", "Military"),
    ("MINING_METALS", "Mining & Metals"),
    ("MOBILE_GAMES", "Mobile Games"),
    ("MOTION_PICTURES_AND_FILM", "Motion Pictures and Film"),
    ("MUSEUMS_AND_INSTITUTIONS", "Museums and Institutions"),
    ("MUSIC", "Music"),
    ("NANOTECHNOLOGY", "Nanotechnology"),
    ("NEWSPAPERS", "Newspapers"),
    ("NON_PROFIT_ORGANIZATION_MANAGEMENT", "Non-Profit Organization Management"),
    ("OIL_ENERGY", "Oil & Energy"),
    ("ONLINE_MEDIA", "Online Media"),
    ("OUTSOURCING_OFFSHORING", "Outsourcing/Offshoring"),
    ("PACKAGE_FREIGHT_DELIVERY", "Package/Freight Delivery"),
    ("PACKAGING_AND_CONTAINERS", "Packaging and Containers"),
    ("PAPER_FOREST_PRODUCTS", "Paper & Forest Products"),
    ("PERFORMING_ARTS", "Performing Arts"),
    ("PHARMACEUTICALS", "Pharmaceuticals"),
    ("PHILANTHROPY", "Philanthropy"),
    ("PHOTOGRAPHY", "Photography"),
    ("PLASTICS", "Plastics"),
    ("POLITICAL_ORGANIZATION", "Political Organization"),
    ("PRIMARY_SECONDARY_EDUCATION", "Primary/Secondary Education"),
    ("PRINTING", "Printing"),
    ("PROFESSIONAL_TRAINING_COACHING", "Professional Training & Coaching"),
    ("PROGRAM_DEVELOPMENT", "Program Development"),
    ("PUBLIC_POLICY", "Public Policy"),
    ("PUBLIC_RELATIONS_AND_COMMUNICATIONS", "Public Relations and Communications"),
    ("PUBLIC_SAFETY", "Public Safety"),
    ("PUBLISHING", "Publishing"),
    ("RAILROAD_MANUFACTURE", "Railroad Manufacture"),
    ("RANCHING", "Ranching"),
    ("REAL_ESTATE", "Real Estate"),
    ("RECREATIONAL_FACILITIES_AND_SERVICES", "Recreational Facilities and Services"),
    ("RELIGIOUS_INSTITUTIONS", "Religious Institutions"),
    ("RENEWABLES_ENVIRONMENT", "Renewables & Environment"),
    ("RESEARCH", "Research"),
    ("RESTAURANTS", "Restaurants"),
    ("RETAIL", "Retail"),
    ("SECURITY_AND_INVESTIGATIONS", "Security and Investigations"),
    ("SEMICONDUCTORS", "Semiconductors"),
    ("SHIPBUILDING", "Shipbuilding"),
    ("SPORTING_GOODS", "Sporting Goods"),
    ("SPORTS", "Sports"),
    ("STAFFING_AND_RECRUITING", "Staffing and Recruiting"),
    ("SUPERMARKETS", "Supermarkets"),
    ("TELECOMMUNICATIONS", "Telecommunications"),
    ("TEXTILES", "Textiles"),
    ("THINK_TANKS", "Think Tanks"),
    ("TOBACCO", "Tobacco"),
    ("TRANSLATION_AND_LOCALIZATION", "Translation and Localization"),
    ("TRANSPORTATION_TRUCKING_RAILROAD", "Transportation/Trucking/Railroad"),
    ("UTILITIES", "Utilities"),
    ("VENTURE_CAPITAL_PRIVATE_EQUITY", "Venture Capital & Private Equity"),
    ("VETERINARY", "Veterinary"),
    ("WAREHOUSING", "Warehousing"),
    ("WHOLESALE", "Wholesale"),
    ("WINE_AND_SPIRITS", "Wine and Spirits"),
    ("WIRELESS", "Wireless"),
    ("WRITING_AND_EDITING", "Writing and Editing"),
)

# Salesforce "Account Source" / "Lead Source" standard picklist, and values orgs often add: value, ours.
SALESFORCE_SOURCES: tuple[tuple[str, str], ...] = (
    ("Web", WEBSITE),
    ("Phone Inquiry", "Phone inquiry"),
    ("Partner Referral", PARTNER),
    ("Partner", PARTNER),
    ("Purchased List", "Purchased list"),
    ("Other", OTHER),
    ("Employee Referral", REFERRAL),
    ("External Referral", REFERRAL),
    ("Word of mouth", REFERRAL),
    ("Advertisement", "Advertising"),
    ("Public Relations", "Public relations"),
    ("Seminar - Internal", EVENTS),
    ("Seminar - Partner", EVENTS),
    ("Trade Show", EVENTS),
)

# Salesforce "Industry" standard picklist: the values import as written here, whatever their case.
SALESFORCE_INDUSTRIES: tuple[str, ...] = (
    "Agriculture",
    "Apparel",
    "Banking",
    "Biotechnology",
    "Chemicals",
    "Communications",
    "Construction",
    "Consulting",
    "Education",
    "Electronics",
    "Energy",
    "Engineering",
    "Entertainment",
    "Environmental",
    "Finance",
    "Food & Beverage",
    "Government",
    "Healthcare",
    "Hospitality",
    "Insurance",
    "Machinery",
    "Manufacturing",
    "Media",
    "Not For Profit",
    "Other",
    "Recreation",
    "Retail",
    "Shipping",
    "Technology",
    "Telecommunications",
    "Transportation",
    "Utilities",
)

# The fields whose values are mapped (on import and on the import page).
MAPPED_FIELDS = ("industry", "acquisition_channel")


def fold(text: str) -> str:
    """The form values are compared in: `  Direct   TRAFFIC ` -> `direct traffic`."""
    return " ".join(text.split()).casefold()


def _table(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {fold(value): ours for value, ours in pairs}


VALUE_MAPS: Mapping[str, Mapping[str, Mapping[str, str]]] = {
    "hubspot": {
        "industry": _table(
            [(label, label) for _, label in HUBSPOT_INDUSTRIES]
            + [(internal, label) for internal, label in HUBSPOT_INDUSTRIES]
        ),
        "acquisition_channel": _table(
            [(label, ours) for _, label, ours in HUBSPOT_SOURCES]
            + [(internal, ours) for internal, _, ours in HUBSPOT_SOURCES]
        ),
    },
    "salesforce": {
        "industry": _table((value, value) for value in SALESFORCE_INDUSTRIES),
        "acquisition_channel": _table(SALESFORCE_SOURCES),
    },
}
