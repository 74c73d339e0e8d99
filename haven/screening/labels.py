"""Words for the engine's codes, in the user's language."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

FLAG_LABELS = {
    "child": gettext_lazy("Child at the time of the events"),
    "age_uncertain": gettext_lazy("Age uncertain: treated as a child"),
    "smuggling": gettext_lazy("Migrant smuggling indicated"),
    "forced_labour": gettext_lazy("Forced labour indicated"),
    "sexual_exploitation": gettext_lazy("Sexual exploitation"),
    "forced_criminality": gettext_lazy("Forced criminality"),
    "medical_urgent": gettext_lazy("Urgent medical need"),
    "needs_safe_place": gettext_lazy("Needs a safe place tonight"),
    "international_protection": gettext_lazy("May need international protection"),
    "stateless_risk": gettext_lazy("Risk of statelessness"),
}

# The interview topics, in the order the interview takes them.
TOPIC_LABELS = {
    "safety": gettext_lazy("Safety and immediate needs"),
    "background": gettext_lazy("Background"),
    "recruitment": gettext_lazy("Recruitment"),
    "journey": gettext_lazy("The journey"),
    "work": gettext_lazy("Work and living conditions"),
    "control": gettext_lazy("Control and freedom"),
    "wishes": gettext_lazy("The person's own wishes"),
}
