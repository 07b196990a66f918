<?php
$pusher_secret = 'HZKn7tWYSJTenFeL52fYVhCguFADzXmb';
