"""Password validators with Chinese messages where Django's own translation lags behind."""

from django.contrib.auth.password_validation import MinimumLengthValidator
from django.core.exceptions import ValidationError


class ChineseMinimumLengthValidator(MinimumLengthValidator):
    """Django 5.2's message for this rule changed wording and lost its zh-hans translation."""

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(
                self.get_error_message(),
                code="password_too_short",
                params={"min_length": self.min_length},
            )

    def get_error_message(self):
        return f"密码长度太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"你的密码必须包含至少 {self.min_length} 个字符。"
