"""Give every practitioner membership made without details (in the admin, say) the default details.

From now on a post_save signal does this (`accounts.actions.ensure_practitioner_details`); this catches the rows
made before it. The historical model's field defaults are the same definition (capacity 6).
"""

from django.db import migrations


def create_missing_details(apps, schema_editor):
    Membership = apps.get_model("accounts", "Membership")
    PractitionerDetails = apps.get_model("accounts", "PractitionerDetails")
    missing = Membership.objects.filter(role="practitioner", practitioner_details__isnull=True)
    PractitionerDetails.objects.bulk_create([PractitionerDetails(membership=m) for m in missing.iterator()])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_safe_text_fields")]

    operations = [migrations.RunPython(create_missing_details, migrations.RunPython.noop)]
