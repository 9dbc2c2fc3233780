"""Review moderation: hide a review (with the reason customers' rating then ignores) or
restore it, through ``app.reviews.services`` so the product's rating summary follows."""

from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.form import SecureForm
from werkzeug.wrappers import Response
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from app.admin.base import (
    ConsoleModelView,
    flash_done,
    flash_form_errors,
    numeric_ids,
    through_service,
    where,
)
from app.admin.security import current_staff
from app.reviews import services as reviews
from app.reviews.models import Review

CATEGORY = "Catalog"


class HideForm(SecureForm):
    review_id = HiddenField(validators=[DataRequired()])
    reason = StringField("Reason", validators=[DataRequired(), Length(max=500)])


class ReviewView(ConsoleModelView):
    details_template = "console/review_details.html"
    column_list = (
        "product.name",
        "author.email",
        "rating",
        "title",
        "verified_purchase",
        "is_hidden",
        "helpful_count",
        "created_at",
    )
    column_labels = {"product.name": "Product", "author.email": "Author", "is_hidden": "Hidden"}
    column_details_list = (
        "product.name",
        "author.email",
        "rating",
        "title",
        "body",
        "verified_purchase",
        "helpful_count",
        "is_hidden",
        "hidden_reason",
        "hidden_at",
        "created_at",
    )
    column_searchable_list = ("title", "body", "product.name", "author.email")
    column_filters = ("is_hidden", "rating", "verified_purchase", "created_at")
    column_default_sort = ("created_at", True)

    def hide_form(self, review: Review) -> HideForm | None:
        return None if review.is_hidden else HideForm(review_id=review.id)

    @expose("/hide/", methods=("POST",))
    def hide_view(self) -> Response:
        form = HideForm(request.form)
        if not form.validate():
            flash_form_errors(form)
        elif through_service(
            lambda: reviews.hide_review(current_staff(), int(form.review_id.data), form.reason.data)
        ):
            flash_done("The review is hidden.")
        if not str(form.review_id.data or "").isdigit():
            return redirect(url_for(".index_view"))
        return redirect(url_for(".details_view", id=form.review_id.data))

    @action("unhide", "Show again", "Show the selected reviews again?")
    def action_unhide(self, ids: list[str]) -> None:
        shown = [
            review
            for review_id in numeric_ids(ids)
            if (review := through_service(lambda i=review_id: reviews.unhide_review(i)))
        ]
        flash_done(f"{len(shown)} review(s) shown again.")


def register(admin: Any) -> None:
    admin.add_view(ReviewView(Review, "Reviews", category=CATEGORY, **where("reviews")))
