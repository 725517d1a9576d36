from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    """Claims from the provider's user: a member of the group "unverified" has an email address
    the provider does not vouch for, a member of "mfa" signed in with a second factor (amr), and
    groups "amr:<method>" set the amr to exactly those methods (e.g. "amr:sms", one factor)."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "amr": "openid"}

    def get_additional_claims(self, request):
        user = request.user
        groups = set(user.groups.values_list("name", flat=True))
        amr = sorted(g.removeprefix("amr:") for g in groups if g.startswith("amr:"))
        return {
            "email": user.email,
            "email_verified": "unverified" not in groups,
            "name": f"{user.first_name} {user.last_name}".strip(),
            "given_name": user.first_name,
            "family_name": user.last_name,
            "amr": amr or (["pwd", "mfa"] if "mfa" in groups else ["pwd"]),
        }
