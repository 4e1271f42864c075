"""What a Spark session starts with (no Spark is started here): a driver with memory enough for a
night of a million claims and no limit on the scored pairs it collects, whatever the master (it
runs here), unless the options say otherwise; a local master's defaults on a local master only.
And what a failed Spark call is reported as: the root cause of its Java error, in one line."""

import os

from matching.spark_engine import first_cause_in, memory_available, session_options
from settings.matching import SparkConfig

JAR = "/opt/splink/similarity.jar"
GIB = 2**30


def test_a_local_driver_gets_a_third_of_the_memory_no_result_limit_and_splinks_jar():
    options = session_options(SparkConfig(master="local[2]"), JAR, 24 * GIB)
    assert options["spark.driver.memory"] == "8g"  # Spark's 1g failed a night of a million claims
    assert options["spark.driver.maxResultSize"] == "0"  # and so did its 1g of collected pairs
    assert options["spark.jars"] == JAR
    assert options["spark.sql.shuffle.partitions"] == "8"


def test_a_small_machine_still_gets_a_driver_of_one_gigabyte():
    assert session_options(SparkConfig(), JAR, 2 * GIB)["spark.driver.memory"] == "1g"


def test_the_options_win_over_the_defaults_and_keep_their_jars():
    settings = SparkConfig(master="local[*]", options={"spark.driver.memory": "3g", "spark.jars": "/a.jar,/b.jar"})
    options = session_options(settings, JAR, 24 * GIB)
    assert options["spark.driver.memory"] == "3g"
    assert options["spark.jars"] == f"/a.jar,/b.jar,{JAR}"


def test_a_cluster_master_gets_the_drivers_settings_and_its_options_but_no_local_defaults():
    settings = SparkConfig(master="spark://head:7077", options={"spark.executor.memory": "16g"})
    assert session_options(settings, JAR, 48 * GIB) == {
        "spark.driver.memory": "16g", "spark.driver.maxResultSize": "0", "spark.executor.memory": "16g",
        "spark.jars": JAR}


def test_the_memory_available_is_this_machines_at_most():
    assert 0 < memory_available() <= os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


# what a night of a million claims on a 1g local driver raised (shortened): the root cause is last
JOB_FAILED = """An error occurred while calling o102.getResult.
: org.apache.spark.SparkException: Exception thrown in awaitResult:
	at org.apache.spark.util.SparkThreadUtils$.awaitResult(SparkThreadUtils.scala:53)
	at java.base/java.lang.Thread.run(Thread.java:840)
Caused by: org.apache.spark.SparkException: Not enough memory to build and broadcast the table to all worker nodes. \
As a workaround, you can either disable broadcast by setting spark.sql.autoBroadcastJoinThreshold to -1 or increase \
the spark driver memory by setting spark.driver.memory to a higher value.
	at org.apache.spark.sql.errors.QueryExecutionErrors$.notEnoughMemoryToBuildAndBroadcastTableError(QueryExecution\
Errors.scala:2079)
	Suppressed: org.apache.spark.util.Utils$OriginalTryStackTraceException: Full stacktrace of original caller
"""


def test_a_java_errors_root_cause_is_the_line_reported():
    cause = first_cause_in(JOB_FAILED)
    assert cause.startswith("org.apache.spark.SparkException: Not enough memory to build and broadcast the table")
    assert cause.endswith("by setting spark.driver.memory to a higher value")


def test_without_a_cause_the_first_named_exception_is_reported():
    text = "An error occurred while calling o7.getOrCreate.\n: java.lang.IllegalStateException: stopped\n\tat x(y)"
    assert first_cause_in(text) == "java.lang.IllegalStateException: stopped"
