"""The upload form."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

PRESET_CHOICES = [
    SelectChoice("auto", "Recognise it from the headers"),
    SelectChoice("native", "ECP Tracker export / our own columns"),
    SelectChoice("hubspot", "HubSpot companies export"),
    SelectChoice("salesforce", "Salesforce accounts (Data Loader or report export)"),
]


class UploadForm(FlaskForm):
    file = FileField(
        "CSV file",
        validators=[FileRequired("Choose a CSV file."), FileAllowed(["csv", "txt"], "Upload a .csv file.")],
    )
    preset = SelectField("Where the file comes from", choices=PRESET_CHOICES, default="auto")
    date_format = StringField(
        "Date format (only for dates like 03/04/2026)",
        validators=[Optional(), Length(max=40)],
        description="e.g. %d/%m/%Y for 20/01/2026 or %m/%d/%Y for 01/20/2026. ISO dates need nothing.",
    )


class RunForm(FlaskForm):
    """Only the CSRF token."""
