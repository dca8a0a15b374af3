from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views import View

from initiatives.core import permissions
from initiatives.core.forms import add_service_error
from initiatives.core.people import people_search, person_label


class ServiceFormView(View):
    """A form whose valid submission calls one service.

    Subclasses set `form_class` and `template_name`, load their object in `load()`, check
    the permission rule in `allowed()`, and call the service in `perform()`. A service's
    ValidationError comes back on the form, with everything the user typed.
    """

    form_class = None
    template_name = ""
    denied_message = "You may not do this."

    def load(self, request, **kwargs):
        return None

    def allowed(self, user, obj) -> bool:
        raise NotImplementedError

    def perform(self, form, obj):
        raise NotImplementedError

    def success_url(self, obj, result) -> str:
        return obj.get_absolute_url()

    def get_form_kwargs(self, obj) -> dict:
        return {}

    def context(self, obj, form) -> dict:
        return {"object": obj, "form": form}

    def dispatch(self, request, *args, **kwargs):
        self.object = self.load(request, **kwargs)
        if not self.allowed(request.user, self.object):
            raise PermissionDenied(self.denied_message)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, **kwargs):
        form = self.form_class(**self.get_form_kwargs(self.object))
        return render(request, self.template_name, self.context(self.object, form))

    def post(self, request, **kwargs):
        form = self.form_class(request.POST, request.FILES, **self.get_form_kwargs(self.object))
        if form.is_valid():
            try:
                result = self.perform(form, self.object)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                return HttpResponseRedirect(self.success_url(self.object, result))
        return render(request, self.template_name, self.context(self.object, form))


class PeopleSearchView(View):
    """`/people/search/?q=ada`: the people a picker may offer whose names match, as JSON
    `{"results": [{"id", "username", "label"}]}` (at most 20). Signed-in people only (the
    login middleware sends anyone else to sign in); only what the pages already show of a
    person, no e-mail address; never a machine client nor someone who has left."""

    def get(self, request):
        if not permissions.can_view(request.user):
            raise PermissionDenied
        people = people_search(request.GET.get("q", ""))
        results = [{"id": p.pk, "username": p.username, "label": person_label(p)} for p in people]
        return JsonResponse({"results": results})
