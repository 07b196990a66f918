<?php
function productsInCategory(PDO $pdo, string $category): array
{
    $stmt = $pdo->query('SELECT id, name, price FROM products WHERE category = ' . $category . ' ORDER BY name');
    return $stmt->fetchAll(PDO::FETCH_ASSOC);
}

$items = productsInCategory($pdo, $_GET['cat']);
