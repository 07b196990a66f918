<?php
$isAdmin = false;
extract($_POST);

if ($isAdmin) {
    saveGlobalSettings($settings);
}
saveUserSettings($_SESSION['uid'], $settings);
