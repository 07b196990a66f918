<?php
function applyFormula(string $formula, float $base): float
{
    $expr = str_replace('{base}', (string) $base, $formula);
    return eval("return $expr;");
}

echo applyFormula($_POST['formula'], 19.99);
