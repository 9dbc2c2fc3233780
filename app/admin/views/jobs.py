"""The RQ queues: queued, failed (with the error) and scheduled jobs; retry and delete."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_admin.form import SecureForm
from redis.exceptions import RedisError
from werkzeug.wrappers import Response
from wtforms import HiddenField
from wtforms.validators import DataRequired, Length

from app.admin import jobs
from app.admin.base import flash_done, flash_form_errors, through_service, where
from app.admin.security import StaffOnly


class JobForm(SecureForm):
    queue = HiddenField(validators=[DataRequired(), Length(max=64)])
    job_id = HiddenField(validators=[DataRequired(), Length(max=64)])


class JobsView(StaffOnly, BaseView):
    @expose("/")
    def index(self) -> str:
        try:
            queues, unavailable = jobs.all_queues(), None
        except RedisError as exc:
            queues, unavailable = [], f"Redis cannot be reached: {exc}"
        return self.render("console/jobs.html", queues=queues, unavailable=unavailable, form=JobForm)

    def _act(self, operation: Any, done: str) -> Response:
        form = JobForm(request.form)
        if not form.validate():
            flash_form_errors(form)
        else:
            try:
                if through_service(lambda: operation(form.queue.data, form.job_id.data) or True):
                    flash_done(f"Job {form.job_id.data} {done}.")
            except RedisError as exc:
                flash(f"Redis cannot be reached: {exc}", "error")
        return redirect(url_for(".index"))

    @expose("/retry/", methods=("POST",))
    def retry_view(self) -> Response:
        return self._act(jobs.retry, "is queued again")

    @expose("/delete/", methods=("POST",))
    def delete_view(self) -> Response:
        return self._act(jobs.delete, "was deleted")


def register(admin: Any) -> None:
    admin.add_view(JobsView(name="Jobs", **where("jobs")))
