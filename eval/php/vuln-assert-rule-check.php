<?php
// corgi-expect: php-assert-variable
function checkRule(Rule $rule): void
{
    assert($rule->condition);
}
