<?php
function productsInCategory(PDO $pdo, string $category): array
{
    $stmt = $pdo->prepare('SELECT id, name, price FROM products WHERE category = :cat ORDER BY name');
    $stmt->execute(['cat' => $category]);
    return $stmt->fetchAll(PDO::FETCH_ASSOC);
}

$items = productsInCategory($pdo, $_GET['cat'] ?? 'all');
