from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from gru.accounts import email_address_verify_for_agent, is_agent
from gru.models import AccessLog, Membership, SitePage, Team, User

# The admin's login is allauth's (email verification, rate limits, the TOTP stage): /admin/login/
# sends an anonymous visitor to /compte/login/?next=… and refuses a signed-in non-staff user.
admin.site.login = secure_admin_login(admin.site.login)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["team"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "teams"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identité"), {"fields": ("first_name", "last_name", "job_title")}),
        (
            _("Droits"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The administrator vouches for the address they typed: allauth lets the agent log in.
        if not change or "email" in form.changed_data or is_agent(obj):
            email_address_verify_for_agent(user=obj)


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "email", "phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "team", "role"]
    list_filter = ["role", "team"]
    search_fields = ["user__email", "team__name"]
    autocomplete_fields = ["user", "team"]


@admin.register(SitePage)
class SitePageAdmin(SimpleHistoryAdmin):
    list_display = ["title", "slug", "updated_at"]


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """The agents' access log, to read: nobody adds, changes or deletes an entry here (the
    database refuses it anyway)."""

    list_display = [
        "at",
        "user",
        "action",
        "request_reference",
        "citizen_id",
        "document_id",
        "detail",
    ]
    list_filter = ["action"]
    list_select_related = ["user"]
    search_fields = ["request_reference", "user__email"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
