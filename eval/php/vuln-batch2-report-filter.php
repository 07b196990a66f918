<?php
$from = $_GET['from'];
$to = $_GET['to'];
$rows = $pdo->query("SELECT * FROM payments WHERE paid_at BETWEEN '$from' AND '$to'")->fetchAll();
foreach ($rows as $row) {
    printf("<tr><td>%s</td><td>%s</td></tr>", htmlspecialchars($row['id']), htmlspecialchars($row['amount']));
}
