"""Props shared by the IMAP actions and trigger."""

from pieces.framework import Number, ShortText, validators

FOLDER = ShortText(display_name="Folder", default="INBOX", description="e.g. INBOX, Archive")
UID = Number(
    display_name="Email UID",
    description="The `uid` from the New Email trigger",
    required=True,
    validators=(validators.min_value(1),),
)
