"""What the images app tells others: the pictures app knows no article."""

from django.dispatch import Signal

# Sent (sender=Image, instance=the Image) once a ready picture's words or renditions have
# changed and the change is committed: the articles that embed it render it again.
image_changed = Signal()
