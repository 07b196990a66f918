<?php
require_once __DIR__ . '/config.php';

$pages = ['home' => 'home.php', 'about' => 'about.php', 'contact' => 'contact.php'];
$page = $pages[$_GET['page'] ?? 'home'] ?? 'home.php';
include __DIR__ . '/pages/' . $pages[array_search($page, $pages, true)];
