<?php
$stmt = $pdo->prepare('SELECT * FROM payments WHERE paid_at BETWEEN ? AND ?');
$stmt->execute([$_GET['from'], $_GET['to']]);
foreach ($stmt->fetchAll() as $row) {
    printf("<tr><td>%s</td><td>%s</td></tr>", htmlspecialchars($row['id']), htmlspecialchars($row['amount']));
}
