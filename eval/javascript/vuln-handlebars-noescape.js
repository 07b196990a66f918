// corgi-expect: js-template-autoescape-disabled
const Handlebars = require("handlebars");
const fs = require("fs");

const render = Handlebars.compile(fs.readFileSync("templates/comment.hbs", "utf8"), { noEscape: true });

module.exports = (comment) => render({ author: comment.author, text: comment.text });
