<?php
// corgi-expect: php-dataflow-sql-identifier
namespace App\Http\Controllers;

use Illuminate\Http\Request;
use Illuminate\Support\Facades\DB;

class ProductController
{
    public function index(Request $request)
    {
        return DB::table('products')->orderBy($request->input('sort'))->paginate(20);
    }
}
