"""What the registry tells the features above it, without knowing them."""

from django.dispatch import Signal

#: Sent inside the transaction when a pending transfer is accepted, rejected or cancelled, with
#: `transfer` (its new status saved) and `actor`. An online transfer application follows it
#: (joining.apps); whoever closed the transfer, on the registry's pages or through the
#: application, the application moves once, in the same transaction.
transfer_closed = Signal()
