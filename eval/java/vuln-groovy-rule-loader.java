// corgi-expect: java-dataflow-code
package com.example.rules;

import groovy.lang.GroovyClassLoader;
import org.springframework.web.bind.annotation.*;

@RestController
public class RuleController {
    private final GroovyClassLoader loader = new GroovyClassLoader();

    @PostMapping("/rules")
    public String upload(@RequestBody String source) {
        Class<?> rule = loader.parseClass(source);
        return rule.getName();
    }
}
