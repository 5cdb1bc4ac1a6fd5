"""The feed URL prop shared by the action and the trigger."""

from pieces.framework import ShortText, validators

FEED_URL = ShortText(
    display_name="Feed URL",
    description="The address of an RSS or Atom feed, e.g. https://example.com/feed.xml",
    required=True,
    validators=(validators.url(),),
)
