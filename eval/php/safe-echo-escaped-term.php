<?php include 'header.php'; ?>
<main>
  <h1>Search</h1>
  <?php
  $q = $_GET['q'] ?? '';
  $results = search_products($q);
  echo '<p>Showing results for <strong>' . htmlspecialchars($_GET['q'] ?? '', ENT_QUOTES, 'UTF-8') . '</strong></p>';
  foreach ($results as $r) {
      echo '<li>' . htmlspecialchars($r['name']) . '</li>';
  }
  ?>
</main>
