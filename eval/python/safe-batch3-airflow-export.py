from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG("nightly_export", schedule="@daily") as dag:
    export = BashOperator(
        task_id="export",
        bash_command='aws s3 sync /data/export "s3://$EXPORT_BUCKET/nightly"',
        env={"EXPORT_BUCKET": "{{ var.value.export_bucket }}"},
    )
