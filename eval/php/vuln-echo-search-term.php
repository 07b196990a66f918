<?php include 'header.php'; ?>
<main>
  <h1>Search</h1>
  <?php
  $results = search_products($_GET['q'] ?? '');
  echo '<p>Showing results for <strong>' . $_GET['q'] . '</strong></p>';
  foreach ($results as $r) {
      echo '<li>' . htmlspecialchars($r['name']) . '</li>';
  }
  ?>
</main>
