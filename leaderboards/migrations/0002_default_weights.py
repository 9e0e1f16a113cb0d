from django.db import migrations


def add_default_weights(apps, schema_editor):
    ScoreWeights = apps.get_model("leaderboards", "ScoreWeights")
    if not ScoreWeights.objects.exists():
        ScoreWeights.objects.create(note="Default weights")


class Migration(migrations.Migration):
    dependencies = [("leaderboards", "0001_initial")]

    operations = [migrations.RunPython(add_default_weights, migrations.RunPython.noop)]
