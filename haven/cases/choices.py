"""Code lists for the case record: HTCDS v2 system names, and Haven's extensions where
the standard falls short (forced criminality, cooperation, international protection)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExploitationType(models.TextChoices):
    FORCED_LABOUR = "ForcedLabour", _("Forced labour")
    SEXUAL = "SexualExploitation", _("Sexual exploitation")
    CHILD_LABOUR = "ChildLabour", _("Child labour")
    FORCED_MARRIAGE = "ForcedMarriage", _("Forced marriage")
    SERVITUDE = "Servitude", _("Servitude")
    FORCED_MILITARY = (
        "ForcedMilitaryByNonStateActors",
        _("Forced military service by non-state actors"),
    )
    ORGAN_REMOVAL = "OrganRemoval", _("Organ removal")
    FORCED_BEGGING = "ForcedBegging", _("Forced begging")
    FORCED_ADOPTION = "ForcedAdoption", _("Forced adoption")
    SURROGACY = "Surrogacy", _("Surrogacy")
    # Haven extension: scam compounds, forced drug production, forced theft.
    FORCED_CRIMINALITY = "ForcedCriminality", _("Forced criminality (scams, drugs, theft)")
    OTHER = "Other", _("Other")


class Industry(models.TextChoices):
    """ISIC Rev. 4 sections (HTCDS vic_ForcedLabourIndustry)."""

    A = "A_AgricultureForestryAndFishing", _("A: Agriculture, forestry and fishing")
    B = "B_MiningAndQuarrying", _("B: Mining and quarrying")
    C = "C_Manufacturing", _("C: Manufacturing")
    D = "D_ElectricityGasSteamAndAirConditioningSupply", _("D: Electricity and gas supply")
    E = "E_WaterSupplySewerageWasteManagement", _("E: Water supply and waste management")
    F = "F_Construction", _("F: Construction")
    G = "G_WholesaleAndRetailTradeRepairOfMotorVehicles", _("G: Wholesale and retail trade")
    H = "H_TransportationAndStorage", _("H: Transportation and storage")
    I = "I_AccommodationAndFoodServiceActivities", _("I: Accommodation and food services")  # noqa: E741
    J = "J_InformationAndCommunication", _("J: Information and communication")
    K = "K_FinancialAndInsuranceActivities", _("K: Financial and insurance activities")
    L = "L_RealEstateActivities", _("L: Real estate")
    M = (
        "M_ProfessionalScientificAndTechnicalActivities",
        _("M: Professional and technical activities"),
    )
    N = "N_AdministrativeAndSupportServiceActivities", _("N: Administrative and support services")
    O = "O_PublicAdministrationAndDefence", _("O: Public administration and defence")  # noqa: E741
    P = "P_Education", _("P: Education")
    Q = "Q_HumanHealthAndSocialWorkActivities", _("Q: Health and social work")
    R = "R_ArtsEntertainmentAndRecreation", _("R: Arts, entertainment and recreation")
    S = "S_OtherServiceActivities", _("S: Other services")
    T = "T_ActivitiesOfHouseholdsAsEmployers", _("T: Households as employers (domestic work)")
    U = "U_ActivitiesOfExtraterritorialOrganizations", _("U: Extraterritorial organisations")


class SexExploitationType(models.TextChoices):
    PROSTITUTION = "Prostitution", _("Prostitution")
    PORNOGRAPHY = "Pornography", _("Pornography")
    REMOTE = "RemoteInteractiveServices", _("Remote interactive services (online)")
    PRIVATE = "PrivateSexualServices", _("Private sexual services")


class MethodOfControl(models.TextChoices):
    PHYSICAL_THREATS = "PhysicalThreats", _("Threats of physical harm")
    THREATS_LAW = "ThreatsLawEnforcement", _("Threats of police or immigration")
    THREATENS_FAMILY = "ThreatensChildrenFamily", _("Threats to children or family")
    DEBT = "DebtBondage", _("Debt bondage")
    FALSE_PROMISES = "FalsePromises", _("False promises")
    PHYSICAL_ABUSE = "PhysicalAbuse", _("Physical abuse")
    SEXUAL_ABUSE = "SexualAbuse", _("Sexual abuse")
    TAKES_EARNINGS = "TakesEarnings", _("Takes earnings")
    FINANCIAL = "RestrictsFinancialAccess", _("Restricts access to money")
    MEDICAL = "RestrictsMedicalCare", _("Restricts medical care")
    NECESSITIES = "WithholdsNecessities", _("Withholds necessities")
    PSYCHOLOGICAL = "PsychologicalAbuse", _("Psychological abuse")
    SUBSTANCE = "PsychoactiveSubstance", _("Drugs or alcohol")
    HOURS = "ExcessiveWorkingHours", _("Excessive working hours")
    DOCUMENTS = "WithholdsDocuments", _("Withholds documents")
    OTHER = "Other", _("Other")


class RecruitmentMethod(models.TextChoices):
    BUSINESS = "AtAPlaceOfBusiness", _("At a place of business")
    EDUCATION = "AtAnEducationalInstitution", _("At a school or college")
    WORK = "AtWork", _("At work")
    SOCIAL = "ThroughOnlineSocialNetworks", _("Through online social networks")
    ONLINE_AD = "ThroughAnOnlineAdvertisement", _("Through an online advertisement")
    TV = "ThroughATelevisionAdvert", _("Through a television advert")
    NEWSPAPER = "ThroughANewspaperAdvert", _("Through a newspaper advert")
    FAMILY = "ThroughFamilyOrFamilyEvents", _("Through family")
    FRIENDS = "ThroughFriendsOrSocialEvents", _("Through friends or social events")
    OTHER = "Other", _("Other")


class Relationship(models.TextChoices):
    FAMILIAL = "Familial", _("Family member")
    ACQUAINTED = "Acquainted", _("Someone the person knew")
    UNACQUAINTED = "Unaquainted", _("A stranger")  # sic: the HTCDS system name


class App(models.TextChoices):
    FACEBOOK = "Facebook", "Facebook"
    INSTAGRAM = "Instagram", "Instagram"
    WHATSAPP = "WhatsApp", "WhatsApp"
    TELEGRAM = "Telegram", "Telegram"
    MESSENGER = "FacebookMessenger", "Facebook Messenger"
    VIBER = "Viber", "Viber"
    SNAPCHAT = "SnapChat", "Snapchat"
    LINE = "Line", "LINE"
    FORSALE = "4Sale", "4Sale"
    WECHAT = "WeChat", "WeChat"
    QQ = "QQ", "QQ"
    QZONE = "QZone", "QZone"
    TIKTOK = "TikTok", "TikTok"
    TWITTER = "Twitter", "X (Twitter)"
    OTHER = "Other", _("Other")


class Cooperation(models.TextChoices):
    """Recorded, never a condition for anything."""

    NONE = "none", _("No cooperation with the authorities")
    INTELLIGENCE = "intelligence", _("Gives information only")
    WITNESS = "witness", _("Witness in proceedings")


class FearOfReturn(models.TextChoices):
    UNKNOWN = "unknown", _("Not discussed yet")
    YES = "yes", _("Fears harm or persecution on return")
    NO = "no", _("No fear of return expressed")


class AsylumReferral(models.TextChoices):
    NOT_YET = "not_yet", _("Not referred")
    REFERRED = "referred", _("Referred to the asylum procedure or UNHCR")
    DECLINED = "declined", _("Informed of the right to seek asylum; declined")
    # The procedure has ended (protection granted or refused): no longer a bar to return
    # by itself; a fear of return still is.
    ENDED = "ended", _("Asylum or protection procedure ended")


class JourneyStage(models.TextChoices):
    """HTCDS hte_Type."""

    RECRUITMENT = "Recruitment", _("Recruitment")
    TRANSIT = "Transit", _("Transit")
    EXPLOITATION = "Exploitation", _("Exploitation")


class ClosureReason(models.TextChoices):
    GOALS_MET = "goals_met", _("Support plan objectives met")
    PERSON_DECLINED = "person_declined", _("The person asked to end the support")
    REFERRED = "referred", _("Referred to another organisation")
    LOST_CONTACT = "lost_contact", _("Lost contact after repeated attempts")
    RETURNED = "returned", _("Returned and reintegrated")
    DECEASED = "deceased", _("Died")
    OTHER = "other", _("Other")
