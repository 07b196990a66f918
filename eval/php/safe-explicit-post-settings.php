<?php
$isAdmin = currentUserIsAdmin();
$settings = [
    'theme' => $_POST['theme'] ?? 'light',
    'language' => $_POST['language'] ?? 'en',
];

if ($isAdmin) {
    saveGlobalSettings($settings);
}
saveUserSettings($_SESSION['uid'], $settings);
