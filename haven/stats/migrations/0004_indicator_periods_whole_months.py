"""Indicator periods become whole months (the summaries count by month): a period saved
with days inside a month is widened to the months that hold it."""

import calendar

from django.db import migrations


def whole_months(apps, schema_editor):
    ResultIndicator = apps.get_model("statistics", "ResultIndicator")
    for indicator in ResultIndicator.objects.all():
        start = indicator.period_start.replace(day=1)
        end = indicator.period_end
        end = end.replace(day=calendar.monthrange(end.year, end.month)[1])
        if (start, end) != (indicator.period_start, indicator.period_end):
            indicator.period_start, indicator.period_end = start, end
            indicator.save(update_fields=["period_start", "period_end"])


class Migration(migrations.Migration):
    dependencies = [("statistics", "0003_summary")]

    operations = [migrations.RunPython(whole_months, migrations.RunPython.noop)]
