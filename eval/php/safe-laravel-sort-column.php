<?php
namespace App\Http\Controllers;

use Illuminate\Http\Request;
use Illuminate\Support\Facades\DB;

class ProductController
{
    public function index(Request $request)
    {
        $sort = in_array($request->input('sort'), ['name', 'price'], true) ? $request->input('sort') : 'name';
        return DB::table('products')->orderBy($sort)->paginate(20);
    }
}
