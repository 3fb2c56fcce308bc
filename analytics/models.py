from django.db import models


class ReportAccess(models.Model):
    """No table: only carries the `analytics.view_reports` permission given to managers."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_reports", "Can view sales reports")]

    def __str__(self) -> str:
        return "reports"
