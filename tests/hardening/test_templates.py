"""Issue 7, "Templates": an undefined name, a syntax error, a missing include and a template
that calls itself without end are each a `templates/x.html:LINE:` error, all in one run."""


def test_each_template_mistake_is_named_at_its_line(fails):
    assert fails({
        "templates/release.html": "{% extends 'base.html' %}\n{% block content %}\n<h1>{{ release.headline }}</h1>\n{% endblock %}\n",
        "templates/page.html": "{% extends 'base.html' %}\n{% block content %}\n{% if page.title %}\n<h1>{{ page.title }}</h1>\n{% endblock %}\n",
        "templates/tags.html": "{% extends 'base.html' %}\n{% block content %}\n\n{% include 'tag-cloud.html' %}\n{% endblock %}\n",
        "templates/list.html": "{% extends 'base.html' %}\n{% block content %}\n{% include 'list.html' %}\n{% endblock %}\n",
        "templates/404.html": "{% extends 'base.html' %}\n{% macro crumbs(n) %}{{ crumbs(n + 1) }}{% endmacro %}\n{% block content %}\n{{ crumbs(1) }}\n{% endblock %}\n",
        "templates/home.html": "{% extends 'base.html' %}\n{% block content %}\n{{ undefined_name }}\n{% endblock %}\n",
    }) == [
        "templates/404.html:2: the template calls itself without end (an include or macro loop)",
        "templates/home.html:3: 'undefined_name' is undefined; check the spelling, or guard it with {% if ... is defined %}",
        "templates/list.html:3: the template calls itself without end (an include or macro loop)",
        "templates/page.html:5: template syntax error: Encountered unknown tag 'endblock'. You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'.",
        "templates/release.html:3: 'pressroom.model.Release object' has no attribute 'headline'; check the spelling, or guard it with {% if ... is defined %}",
        'templates/tags.html:4: the template "tag-cloud.html" does not exist; check the name, or add templates/tag-cloud.html',
    ]


def test_a_template_cannot_include_files_outside_the_template_folders(fails):
    assert fails({"templates/page.html": "{% extends 'base.html' %}\n{% block content %}\n{% include '../pressroom.toml' %}\n{% endblock %}\n"}) == [
        'templates/page.html:3: the template "../pressroom.toml" does not exist; check the name, or add templates/../pressroom.toml',
    ]
