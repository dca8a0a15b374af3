from django import forms

from initiatives.core.choices import QuestionKind
from initiatives.regulation.models import Question
from initiatives.regulation.selectors import sections


class ClassificationForm(forms.Form):
    """The questionnaire as a form: one field per active question, named by its key. The
    answers are checked again, question by question, by the service."""

    def __init__(self, *args, questions: list[Question], answers: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            choices = [(o.key, o.label) for o in question.options.all()]
            initial = (answers or {}).get(question.key, [])
            if question.kind == QuestionKind.SEVERAL:
                field = forms.MultipleChoiceField(
                    choices=choices, widget=forms.CheckboxSelectMultiple, initial=initial
                )
            else:
                field = forms.ChoiceField(
                    choices=choices, widget=forms.RadioSelect, initial=initial[:1] or None
                )
            field.label = question.text
            field.help_text = question.help_text
            field.error_messages["required"] = "Answer this question."
            field.article = question.article
            self.fields[question.key] = field

    def sections(self):
        """(title, [bound field]) in the questionnaire's order."""
        for section in sections(self.questions):
            yield section.title, [self[q.key] for q in section.questions]

    def answers(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if value}


class ClassificationReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("confirm", "Confirm the classification"), ("return", "Ask for changes")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
        help_text="Required when asking for changes: say what to change.",
    )
