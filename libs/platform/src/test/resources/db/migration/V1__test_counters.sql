-- State of the test application that exercises libs/platform.
create table test_counter (
    account_id varchar(200) primary key,
    value      bigint not null
);
