# An automatic end-of-shift rule may target teams: their agents at run time, besides the agents it names.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0005_agent_live_call"),
        ("teams", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="autooffrule",
            name="agents",
            field=models.ManyToManyField(blank=True, related_name="auto_off_rules", to="agents.agent"),
        ),
        migrations.AddField(
            model_name="autooffrule",
            name="teams",
            field=models.ManyToManyField(
                blank=True,
                help_text="Every agent in these teams when the rule runs is turned OFF too.",
                related_name="auto_off_rules",
                to="teams.team",
            ),
        ),
    ]
