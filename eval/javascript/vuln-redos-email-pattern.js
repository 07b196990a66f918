// corgi-expect: js-redos-nested-quantifier
const EMAIL_PATTERN = /^([a-zA-Z0-9_.-]+)+@([a-zA-Z0-9-]+\.)+[a-zA-Z]{2,}$/;

function isEmail(value) {
  return EMAIL_PATTERN.test(value);
}

module.exports = { isEmail };
