// corgi-expect: java-dataflow-regex
package com.example.search;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.servlet.http.HttpServletRequest;

public class NameSearch {
    List<String> filter(HttpServletRequest request, List<String> names) {
        Pattern pattern = Pattern.compile(request.getParameter("q"));
        return names.stream().filter(n -> pattern.matcher(n).find()).collect(Collectors.toList());
    }
}
