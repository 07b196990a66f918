# corgi-expect: python-template-autoescape-off
import jinja2

env = jinja2.Environment(loader=jinja2.FileSystemLoader("templates/email"))


def render_welcome(user):
    return env.get_template("welcome.html").render(display_name=user.display_name)
