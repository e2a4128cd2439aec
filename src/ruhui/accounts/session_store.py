"""The session engine (settings.SESSION_ENGINE): Django's database sessions, in a table that
also records whose session it is (accounts.UserSession.user_id), so that listing or ending a
user's sessions is one indexed query instead of decoding every session of the system. This is
Django's documented way of extending the database-backed engine (AbstractBaseSession)."""

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DBStore


class SessionStore(DBStore):
    @classmethod
    def get_model_class(cls):
        from ruhui.accounts.models import UserSession

        return UserSession

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        try:
            instance.user_id = int(data.get(SESSION_KEY))
        except (TypeError, ValueError):
            instance.user_id = None  # an anonymous visitor's session (the public join pages)
        return instance
