using System;
using System.Web;
using System.Web.UI;

public partial class Greeting : Page
{
    protected void Page_Load(object sender, EventArgs e)
    {
        var name = Request.QueryString["name"] ?? "guest";
        Response.Write("<h2>Hello, " + HttpUtility.HtmlEncode(name) + "</h2>");
    }
}
