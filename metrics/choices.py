from django.db import models
from django.utils.translation import gettext_lazy as _


class PostKind(models.TextChoices):
    POST = "post", _("Post")
    REPOST = "repost", _("Retweet / share")
    REPLY = "reply", _("Reply")
    QUOTE = "quote", _("Quote")
    LIVE = "live", _("Live broadcast")
    VIDEO = "video", _("Video")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    FINISHED_WITH_ERRORS = "finished_with_errors", _("Finished with errors")
    FAILED = "failed", _("Failed")


class RunTrigger(models.TextChoices):
    SCHEDULE = "schedule", _("Schedule")
    COMMAND = "command", _("Command")
    MANUAL = "manual", _("Manual")
    RESUME = "resume", _("Resumed")
