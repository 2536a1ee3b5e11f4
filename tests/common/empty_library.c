/* Stands in for a library teebuild loads on first use, without any of its functions. */
int tb_test_empty_library;
