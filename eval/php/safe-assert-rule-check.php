<?php
function checkRule(Rule $rule): void
{
    assert($rule->condition instanceof Condition);
    assert(count($rule->actions) > 0);
}
