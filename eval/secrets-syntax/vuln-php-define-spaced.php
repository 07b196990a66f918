<?php
define( 'AUTH_SECRET', 'XfEuzcrJaBnx7IfDH5mMDdwi' );
