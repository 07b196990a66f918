<?php
use Symfony\Component\ExpressionLanguage\ExpressionLanguage;

function applyFormula(string $formula, float $base): float
{
    $language = new ExpressionLanguage();
    return (float) $language->evaluate($formula, ['base' => $base]);
}

echo applyFormula($_POST['formula'], 19.99);
