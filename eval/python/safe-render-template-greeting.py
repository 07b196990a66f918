from flask import Flask, request, render_template

app = Flask(__name__)


@app.get("/hello")
def hello():
    name = request.args.get("name", "guest")
    return render_template("hello.html", name=name)
