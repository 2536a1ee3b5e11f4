/* The import lexer finds every import form and nothing inside comments or strings; relative
 * paths and remappings follow solc's rules. */
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "runner/paths.h"
#include "runner/remappings.h"
#include "runner/sol_imports.h"

static int failures, n_tests;

static void expect_imports(const char *src, const char *const *want) {
  n_tests++;
  cleanup_strv char **got = sol_imports(src, strlen(src));
  size_t i = 0;
  for (; want[i] && got[i]; i++)
    if (strcmp(want[i], got[i]) != 0)
      break;
  if (want[i] != NULL || got[i] != NULL) {
    failures++;
    printf("not ok - imports of <<%.*s...>>: mismatch at %zu (%s vs %s)\n", (int)strcspn(src, "\n"), src, i,
           want[i] ? want[i] : "(end)",
           got[i] ? got[i] : "(end)");
  } else {
    printf("ok - imports of <<%.*s...>>\n", (int)strcspn(src, "\n"), src);
  }
}

static void expect(int cond, const char *what) {
  n_tests++;
  printf("%s - %s\n", cond ? "ok" : "not ok", what);
  failures += !cond;
}

int main(void) {
  expect_imports("import \"a.sol\";\nimport 'b.sol' as B;\nimport * as C from \"./c.sol\";\n"
                 "import {X, Y as Z} from \"../d.sol\";\nimport {E} from\n  /* why */ \"e.sol\";",
                 (const char *const[]){"a.sol", "b.sol", "./c.sol", "../d.sol", "e.sol", NULL});
  expect_imports("// import \"no1.sol\";\n/* import \"no2.sol\"; */\nstring s = \"import 'no3.sol';\";\n"
                 "string t = 'x\\' import \"no4.sol\";';\nimport \"yes.sol\";",
                 (const char *const[]){"yes.sol", NULL});
  expect_imports("contract importer { uint imports; } // reimport \"x\"", (const char *const[]){NULL});
  expect_imports("/* unterminated import \"x.sol\";", (const char *const[]){NULL});

  expect(path_is_contained("a/b.sol"), "a/b.sol is contained");
  expect(!path_is_contained("../a.sol") && !path_is_contained("/a.sol") && !path_is_contained("a//b") &&
             !path_is_contained("a/./b") && !path_is_contained(""),
         "escaping and unnormalised paths are not contained");

  struct remappings r = {0};
  struct remapping v[] = {{"", "@oz/", "lib/oz/"}, {"", "@oz/contracts/", "lib/ozc/"}, {"src/x", "@oz/", "other/"}};
  r.v = v;
  r.n = 3;
  cleanup_free char *m1 = remappings_apply(&r, "src/a.sol", "@oz/contracts/T.sol");
  cleanup_free char *m2 = remappings_apply(&r, "src/x/b.sol", "@oz/contracts/T.sol");
  cleanup_free char *m3 = remappings_apply(&r, "src/a.sol", "forge-std/Test.sol");
  expect(strcmp(m1, "lib/ozc/T.sol") == 0, "longest prefix wins");
  expect(strcmp(m2, "other/contracts/T.sol") == 0, "longest context wins over longer prefix");
  expect(strcmp(m3, "forge-std/Test.sol") == 0, "no match leaves the path");
  printf("1..%d\n", n_tests);
  return failures != 0;
}
